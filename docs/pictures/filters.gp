# The picture 'filters', drawn by tapegrad from its own numbers (tapegrad graph filters).
# tapegrad sets outfile (and outtext) to temporary files and puts them in
# place once they are whole; run by hand, the script draws the files below.
if (!exists("outfile")) outfile = 'docs/pictures/filters.png'
set terminal pngcairo noenhanced size 1000,1250 font ',10'
set output outfile
set multiplot title 'The image model (section 4.2) after 3 epochs on 600 embedded shapes: its kernels, and one test image through Conv2D + ReLU and MaxPooling2D'
unset xtics
unset ytics
set size ratio -1
set palette gray negative
set cbrange [0:1]
set origin 0,0.7
set size 0.3,0.26
set title 'test image: disk'
set xrange [-0.5:27.5]
set yrange [27.5:-0.5]
plot 'docs/pictures/filters.dat' index 0 matrix with image notitle
set palette positive defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')
set cbrange [-0.1767:0.1767]
set origin 0.3,0.7
set size 0.7,0.26
set title 'the 32 kernels W[:, :, 0, f], 3 x 3 (blue < 0 < red)'
set xrange [-0.5:30.5]
set yrange [14.5:-0.5]
plot for [k=0:31] 'docs/pictures/filters.dat' index (1 + k) matrix using ($1 + (k % 8) * 4):($2 + (k / 8) * 4):3 with image notitle
set palette gray negative
set cbrange [0:0.4764]
set origin 0,0.35
set size 1,0.35
set title 'after Conv2D + ReLU: 32 maps of 26 x 26'
set xrange [-0.5:214.5]
set yrange [106.5:-0.5]
plot for [k=0:31] 'docs/pictures/filters.dat' index (33 + k) matrix using ($1 + (k % 8) * 27):($2 + (k / 8) * 27):3 with image notitle
set cbrange [0:0.4764]
set origin 0,0
set size 1,0.35
set title 'after MaxPooling2D: 32 maps of 13 x 13'
set xrange [-0.5:110.5]
set yrange [54.5:-0.5]
plot for [k=0:31] 'docs/pictures/filters.dat' index (65 + k) matrix using ($1 + (k % 8) * 14):($2 + (k / 8) * 14):3 with image notitle
unset multiplot
