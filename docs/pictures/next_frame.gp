# The picture 'next_frame', drawn by tapegrad from its own numbers (tapegrad graph next_frame).
# tapegrad sets outfile (and outtext) to temporary files and puts them in
# place once they are whole; run by hand, the script draws the files below.
if (!exists("outfile")) outfile = 'docs/pictures/next_frame.png'
set terminal pngcairo noenhanced size 1200,360 font ',10'
set output outfile
set multiplot layout 2,8 title 'Next-frame prediction: the ConvLSTM model after 3 epochs on 256 sequences of moving embedded shapes (test MSE 0.0138, copy the last frame 0.0210)'
unset xtics
unset ytics
unset colorbox
set size ratio -1
set palette gray negative
set cbrange [0:1]
set xrange [-0.5:31.5]
set yrange [31.5:-0.5]
set title 'frame 1 (input)'
plot 'docs/pictures/next_frame.dat' index 0 matrix with image notitle
set title 'frame 2 (input)'
plot 'docs/pictures/next_frame.dat' index 1 matrix with image notitle
set title 'frame 3 (input)'
plot 'docs/pictures/next_frame.dat' index 2 matrix with image notitle
set title 'frame 4 (input)'
plot 'docs/pictures/next_frame.dat' index 3 matrix with image notitle
set title 'frame 5: truth'
plot 'docs/pictures/next_frame.dat' index 4 matrix with image notitle
set title 'prediction'
plot 'docs/pictures/next_frame.dat' index 5 matrix with image notitle
set title 'error^2, model'
plot 'docs/pictures/next_frame.dat' index 6 matrix with image notitle
set title 'error^2, copy-last'
plot 'docs/pictures/next_frame.dat' index 7 matrix with image notitle
set title ''
plot 'docs/pictures/next_frame.dat' index 8 matrix with image notitle
set title ''
plot 'docs/pictures/next_frame.dat' index 9 matrix with image notitle
set title ''
plot 'docs/pictures/next_frame.dat' index 10 matrix with image notitle
set title ''
plot 'docs/pictures/next_frame.dat' index 11 matrix with image notitle
set title ''
plot 'docs/pictures/next_frame.dat' index 12 matrix with image notitle
set title ''
plot 'docs/pictures/next_frame.dat' index 13 matrix with image notitle
set title ''
plot 'docs/pictures/next_frame.dat' index 14 matrix with image notitle
set title ''
plot 'docs/pictures/next_frame.dat' index 15 matrix with image notitle
unset multiplot
